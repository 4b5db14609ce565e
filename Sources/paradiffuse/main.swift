print("paradiffuse")
